"""Run the starter CLI: `python starter.py ...` is the same as `order-saga ...`."""

from order_saga.cli import main

if __name__ == "__main__":
    main()
