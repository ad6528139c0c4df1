"""`python -m xiaobao.cli`."""

from . import main

main()
