"""`python -m xiaobao.cli`."""

from xiaobao.cli import main

main()
