"""Real geography: coordinates on the Earth turned into the model's local kilometre frame."""
