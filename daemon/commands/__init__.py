"""Sub-commands of the trustmail CLI, one module each."""
