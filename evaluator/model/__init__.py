"""The nouns: Framework, Panel, Recipe, Assessment — validated on construction."""
