"""Run the worker: `python worker.py` is the same as `order-saga-worker`."""

from order_saga.worker_main import main

if __name__ == "__main__":
    main()
