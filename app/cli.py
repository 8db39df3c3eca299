"""The `rnnlab` command: serve, train, predict."""

from __future__ import annotations

import argparse
import sys


def _cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from app.config import Settings
    from app.main import create_app

    overrides = {"host": args.host, "port": args.port}
    if args.data_dir is not None:
        overrides["data_dir"] = args.data_dir
    settings = Settings(**{k: v for k, v in overrides.items() if v is not None})
    app = create_app(settings)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        workers=1,  # the run manager fans events out in memory: one process
        timeout_graceful_shutdown=3,
        log_level=args.log_level,
    )
    return 0


def _add_serve(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="start the web server")
    p.add_argument("--host", default=None, help="bind address (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=None, help="port (default 8000)")
    p.add_argument("--data-dir", default=None, help="where the SQLite file lives")
    p.add_argument("--log-level", default="info")
    p.set_defaults(func=_cmd_serve)


# --- train / predict: see _add_train and _add_predict below -----------------


def _add_train(sub: argparse._SubParsersAction) -> None:
    """Filled in with rnn_core (issue 3)."""


def _add_predict(sub: argparse._SubParsersAction) -> None:
    """Filled in with rnn_core (issue 3)."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rnnlab", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    _add_serve(sub)
    _add_train(sub)
    _add_predict(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
