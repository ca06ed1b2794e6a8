"""Code the test tiers share: starting real processes, finding ports."""
