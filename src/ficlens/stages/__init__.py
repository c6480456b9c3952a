"""Pipeline stages: each takes the `Story`, adds one kind of annotation, and returns it."""
