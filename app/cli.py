"""The `rnnlab` command: serve, train, predict."""

from __future__ import annotations

import argparse
import os
import sys

# The products are small (hidden 32..512): one BLAS thread per run, so that runs on
# different cores do not fight over threads. Set before NumPy loads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
from types import FrameType

import uvicorn

LOOPBACK = ("127.", "::1", "localhost")


def _cmd_serve(args: argparse.Namespace) -> int:
    from app.config import Settings
    from app.main import create_app
    from app.store import DataDirError, RunStore

    overrides = {"host": args.host, "port": args.port, "data_dir": args.data_dir}
    settings = Settings(**{k: v for k, v in overrides.items() if v is not None})
    if not settings.host.startswith(LOOPBACK) and settings.token is None and not args.insecure:
        print(
            f"rnnlab: refusing to bind {settings.host} without a token: anyone who can reach it could "
            "start, stop and delete runs. Set RNNLAB_TOKEN, or pass --insecure if you mean it.",
            file=sys.stderr,
        )
        return 2
    try:
        RunStore(settings.db_path).close()  # fail now, in one line, not in a traceback later
    except DataDirError as exc:
        print(f"rnnlab: {exc}", file=sys.stderr)
        return 2
    app = create_app(settings)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        workers=1,  # the run manager fans events out in memory: one process
        timeout_graceful_shutdown=2,  # a stream that still will not end is cut after this
        log_level=args.log_level,
    )
    _Server(config).run()
    return 0


class _Server(uvicorn.Server):
    """On SIGTERM/SIGINT, first stop the runs: their final `interrupted` status ends every
    event stream, so the graceful shutdown has no open stream to wait for."""

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        manager = getattr(self.config.app.state, "manager", None)
        if manager is not None and manager.loop is not None:
            manager.loop.call_soon_threadsafe(manager.request_shutdown)
        super().handle_exit(sig, frame)


def _add_serve(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="start the web server")
    p.add_argument("--host", default=None, help="bind address (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=None, help="port (default 8000)")
    p.add_argument("--data-dir", default=None, help="where the SQLite file lives")
    p.add_argument("--log-level", default="info")
    p.add_argument(
        "--insecure", action="store_true", help="allow a non-loopback address without RNNLAB_TOKEN"
    )
    p.set_defaults(func=_cmd_serve)


# --- train / predict: see _add_train and _add_predict below -----------------


def _add_train(sub: argparse._SubParsersAction) -> None:
    """`rnnlab train`: a preset plus overrides, a progress line on stderr, metrics on stdout."""

    def run(args: argparse.Namespace) -> int:
        import dataclasses
        import time

        from rnn_core import checkpoint
        from rnn_core.train import PRESETS, ConfigError, Trainer, TrainingDiverged

        names = ("epochs", "hidden_size", "learning_rate", "batch_size", "seed", "dtype")
        overrides = {k: getattr(args, k) for k in names if getattr(args, k) is not None}
        try:
            config = dataclasses.replace(PRESETS[args.preset], **overrides)
        except ConfigError as exc:
            print(f"rnnlab: {exc}", file=sys.stderr)
            return 2
        trainer = Trainer(config)
        start, result = time.perf_counter(), None
        try:
            for result in trainer.epochs():
                done = result.epoch / config.epochs
                bar = "#" * int(20 * done)
                print(
                    f"\repoch {result.epoch:>{len(str(config.epochs))}}/{config.epochs} "
                    f"[{bar:<20}] train {result.train_loss:.3e}  val {result.val_loss:.3e}  "
                    f"val RMSE {result.val_rmse:.3e}",
                    end="",
                    file=sys.stderr,
                    flush=True,
                )
        except TrainingDiverged as exc:
            print(f"\nrnnlab: {exc}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print("\nrnnlab: interrupted", file=sys.stderr)
        print(file=sys.stderr)
        if result is None:
            return 1
        print(f"epochs: {result.epoch}")
        print(f"train loss: {result.train_loss:.6g}")
        print(f"val loss: {result.val_loss:.6g}")
        print(f"val RMSE: {result.val_rmse:.6g}")
        print(f"best epoch: {trainer.best_epoch}")
        print(f"seconds: {time.perf_counter() - start:.2f}")
        if args.out:
            try:
                checkpoint.save(args.out, trainer.snapshot_params(), config, trainer.dataset.scaler)
            except OSError as exc:
                print(f"rnnlab: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
                return 1
            print(f"saved: {args.out}")
        return 0

    p = sub.add_parser("train", help="train a model in this process (no server)")
    p.add_argument("--preset", choices=("modern", "tutorial"), default="modern")
    p.add_argument("--epochs", type=int)
    p.add_argument("--hidden-size", type=int)
    p.add_argument("--learning-rate", type=float)
    p.add_argument("--batch-size", type=int)
    p.add_argument("--seed", type=int)
    p.add_argument("--dtype", choices=("float64", "float32"))
    p.add_argument("--out", help="write the trained model to this .npz file")
    p.set_defaults(func=run)


def _add_predict(sub: argparse._SubParsersAction) -> None:
    """`rnnlab predict MODEL --window v1,v2,...` or `--series ... --forecast N`."""

    def values(text: str) -> list[float]:
        try:
            return [float(v) for v in text.split(",") if v.strip()]
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"not a comma-separated list of numbers: {text!r}"
            ) from None

    def run(args: argparse.Namespace) -> int:
        import numpy as np

        from rnn_core import checkpoint
        from rnn_core.predict import forecast, predict

        try:
            model = checkpoint.load(args.model)
        except (OSError, ValueError) as exc:
            print(f"rnnlab: cannot load {args.model}: {exc}", file=sys.stderr)
            return 2
        seq_len = model.config.data.seq_len
        given = args.window if args.window is not None else args.series
        if args.window is not None and len(args.window) != seq_len:
            print(
                f"rnnlab: --window needs exactly {seq_len} values, got {len(args.window)}",
                file=sys.stderr,
            )
            return 2
        if args.series is not None and args.forecast is None:
            print("rnnlab: --series needs --forecast N", file=sys.stderr)
            return 2
        try:
            with np.errstate(all="ignore"):
                if args.forecast is None:
                    out = predict(
                        model.params, [given], model.config.activation, scaler=model.scaler
                    )
                else:
                    out = forecast(
                        model.params,
                        given,
                        args.forecast,
                        model.config.activation,
                        seq_len=seq_len,
                        scaler=model.scaler,
                    )
        except ValueError as exc:
            print(f"rnnlab: {exc}", file=sys.stderr)
            return 2
        for value in out:
            print(repr(float(value)))
        return 0

    p = sub.add_parser("predict", help="predict with a model saved by `rnnlab train --out`")
    p.add_argument("model", help="the .npz file")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--window",
        type=values,
        help="the last seq_len values, comma-separated (write --window=-1,2,... when the first is negative)",
    )
    source.add_argument("--series", type=values, help="a series of at least seq_len values")
    p.add_argument(
        "--forecast", type=int, metavar="N", help="predict N steps ahead, feeding predictions back"
    )
    p.set_defaults(func=run)


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
