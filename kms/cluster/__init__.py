"""Running KMS as a cluster on one machine."""
