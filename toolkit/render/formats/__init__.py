"""One module per output format: `SUFFIX` and `render(policy, options) -> bytes`."""
