"""jaxtyping aliases shared by all modules."""

from typing import Union

from jaxtyping import Array, ArrayLike, Bool, Complex, Float, Inexact, Int, PyTree, Real, Shaped


RealScalarLike = Union[float, int, Float[ArrayLike, ""]]
ScalarLike = Union[float, int, complex, Inexact[ArrayLike, ""]]
Matrix = Inexact[Array, "n n"]
ComplexMatrix = Complex[Array, "n n"]

__all__ = [
    "Array",
    "ArrayLike",
    "Bool",
    "Complex",
    "ComplexMatrix",
    "Float",
    "Inexact",
    "Int",
    "Matrix",
    "PyTree",
    "Real",
    "RealScalarLike",
    "ScalarLike",
    "Shaped",
]
