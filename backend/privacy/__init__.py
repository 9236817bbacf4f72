"""Protection of personal data: field encryption, keyed hashes, ID numbers, masking."""
