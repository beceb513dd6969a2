"""``python -m autograd_mini`` runs the command line."""

from autograd_mini.cli import main

raise SystemExit(main())
