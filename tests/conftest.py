import jax


# Physics is tested in float64 with strict rank promotion (no silent broadcasting).
jax.config.update("jax_enable_x64", True)
jax.config.update("jax_numpy_rank_promotion", "raise")
