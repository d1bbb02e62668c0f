"""Native framework integrations (docs/integrations.md); each module imports its framework itself,
so `import runyard` never does."""
