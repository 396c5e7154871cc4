"""Report writers reading one results model."""
