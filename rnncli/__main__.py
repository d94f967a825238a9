"""`python -m rnncli` runs the command line."""

from rnncli.cli import main

if __name__ == "__main__":
    main()
