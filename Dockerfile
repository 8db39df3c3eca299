# rnnlab in a container. No Docker engine runs on our development machines, so this
# file is written with care but has not been built there.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    RNNLAB_DATA_DIR=/data \
    OPENBLAS_NUM_THREADS=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY rnn_core ./rnn_core
COPY app ./app
COPY templates ./templates
COPY static ./static
# Editable install: the app finds templates/ and static/ next to its package.
RUN pip install -e . \
    && useradd --create-home --uid 10001 rnnlab \
    && mkdir -p /data && chown rnnlab:rnnlab /data

USER rnnlab
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/api/health', timeout=2).status == 200 else 1)"
# Binding 0.0.0.0 inside a container: set RNNLAB_TOKEN, or the server refuses to start.
CMD ["rnnlab", "serve", "--host", "0.0.0.0"]
