"""Explain one household's score: contributions, standing, what the model reacts to."""
