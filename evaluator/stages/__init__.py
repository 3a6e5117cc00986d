"""The pipeline's stages on the framework's tree: each turns arrays and a recipe section
into arrays and a record, using the pure functions of :mod:`evaluator.methods`."""
