"""`wandb.sdk`: the submodules frameworks import."""
