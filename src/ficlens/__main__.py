"""`python -m ficlens` runs the command line."""

from ficlens.cli import run

if __name__ == "__main__":
    run()
