"""The unconstrained test problems of Moré, Garbow and Hillstrom (1981).

J. J. Moré, B. S. Garbow and K. E. Hillstrom, "Testing unconstrained
optimization software", ACM Transactions on Mathematical Software 7(1),
17-41, 1981. Every problem is a sum of squares ``f(x) = sum_i r_i(x)**2``.
Each one is written here as a function of ``x`` returning its residuals
``r`` (m,), their Jacobian ``J`` (m, n) and their second derivatives ``T``
(m, n, n), all derived by hand, so that

    f = r @ r,   grad f = 2 J^T r,   hess f = 2 (J^T J + sum_i r_i T_i).

The problem numbers, dimensions, data and standard starting points are the
paper's; ``f_min`` is the minimum it reports, where it reports one.
"""

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class LeastSquares:
    """One MGH problem: ``f = r @ r`` of the residuals ``residuals(x)``."""

    number: int
    name: str
    x0: np.ndarray
    residuals: object = field(repr=False)  # x -> (r, J, T)
    f_min: float | None = None

    @property
    def n(self):
        return self.x0.size

    def fun(self, x):
        r, _, _ = self.residuals(np.asarray(x, dtype=float))
        return float(r @ r)

    def grad(self, x):
        r, J, _ = self.residuals(np.asarray(x, dtype=float))
        return 2 * J.T @ r

    def hess(self, x):
        r, J, T = self.residuals(np.asarray(x, dtype=float))
        return 2 * (J.T @ J + np.einsum("i,ijk->jk", r, T))


PROBLEMS = {}


def _problem(number, name, x0, f_min=None):
    """Register the decorated residual function as MGH problem ``number``."""

    def register(residuals):
        x0_array = np.asarray(x0, dtype=float)
        PROBLEMS[name] = LeastSquares(number, name, x0_array, residuals, f_min)
        return residuals

    return register


def _zeros(m, n):
    return np.zeros(m), np.zeros((m, n)), np.zeros((m, n, n))


# 1-14: fixed dimensions.


@_problem(1, "rosenbrock", [-1.2, 1.0], 0.0)
def _rosenbrock(x):
    r, J, T = _zeros(2, 2)
    r[:] = 10 * (x[1] - x[0] ** 2), 1 - x[0]
    J[:] = [[-20 * x[0], 10], [-1, 0]]
    T[0, 0, 0] = -20
    return r, J, T


@_problem(2, "freudenstein_roth", [0.5, -2.0], 0.0)
def _freudenstein_roth(x):
    a, b = x
    r, J, T = _zeros(2, 2)
    r[0] = -13 + a + ((5 - b) * b - 2) * b
    r[1] = -29 + a + ((b + 1) * b - 14) * b
    J[:] = [[1, 10 * b - 3 * b**2 - 2], [1, 3 * b**2 + 2 * b - 14]]
    T[0, 1, 1], T[1, 1, 1] = 10 - 6 * b, 6 * b + 2
    return r, J, T


@_problem(3, "powell_badly_scaled", [0.0, 1.0], 0.0)
def _powell_badly_scaled(x):
    a, b = x
    r, J, T = _zeros(2, 2)
    ea, eb = np.exp(-a), np.exp(-b)
    r[:] = 1e4 * a * b - 1, ea + eb - 1.0001
    J[:] = [[1e4 * b, 1e4 * a], [-ea, -eb]]
    T[0] = [[0, 1e4], [1e4, 0]]
    T[1] = np.diag([ea, eb])
    return r, J, T


@_problem(4, "brown_badly_scaled", [1.0, 1.0], 0.0)
def _brown_badly_scaled(x):
    a, b = x
    r, J, T = _zeros(3, 2)
    r[:] = a - 1e6, b - 2e-6, a * b - 2
    J[:] = [[1, 0], [0, 1], [b, a]]
    T[2] = [[0, 1], [1, 0]]
    return r, J, T


_BEALE_Y = np.array([1.5, 2.25, 2.625])


@_problem(5, "beale", [1.0, 1.0], 0.0)
def _beale(x):
    a, b = x
    i = np.arange(1, 4)
    r, J, T = _zeros(3, 2)
    r[:] = _BEALE_Y - a * (1 - b**i)
    J[:, 0] = -(1 - b**i)
    J[:, 1] = a * i * b ** (i - 1)
    T[:, 0, 1] = T[:, 1, 0] = i * b ** (i - 1)
    T[:, 1, 1] = a * i * (i - 1) * b ** np.maximum(i - 2, 0)
    return r, J, T


@_problem(6, "jennrich_sampson", [0.3, 0.4], 124.362)
def _jennrich_sampson(x):
    i = np.arange(1, 11.0)
    ea, eb = np.exp(i * x[0]), np.exp(i * x[1])
    r, J, T = _zeros(10, 2)
    r[:] = 2 + 2 * i - ea - eb
    J[:] = np.column_stack([-i * ea, -i * eb])
    T[:, 0, 0], T[:, 1, 1] = -(i**2) * ea, -(i**2) * eb
    return r, J, T


@_problem(7, "helical_valley", [-1.0, 0.0, 0.0], 0.0)
def _helical_valley(x):
    a, b, c = x
    rho2 = a * a + b * b
    rho = np.sqrt(rho2)
    theta = np.arctan(b / a) / (2 * np.pi) + (0.5 if a < 0 else 0.0)
    dtheta = np.array([-b, a]) / (2 * np.pi * rho2)
    d2theta = np.array([[2 * a * b, b * b - a * a], [b * b - a * a, -2 * a * b]])
    d2theta /= 2 * np.pi * rho2**2
    d2rho = np.array([[b * b, -a * b], [-a * b, a * a]]) / rho**3
    r, J, T = _zeros(3, 3)
    r[:] = 10 * (c - 10 * theta), 10 * (rho - 1), c
    J[0] = [*(-100 * dtheta), 10]
    J[1] = [10 * a / rho, 10 * b / rho, 0]
    J[2, 2] = 1
    T[0, :2, :2] = -100 * d2theta
    T[1, :2, :2] = 10 * d2rho
    return r, J, T


_BARD_Y = np.array(
    [0.14, 0.18, 0.22, 0.25, 0.29, 0.32, 0.35, 0.39, 0.37, 0.58, 0.73, 0.96, 1.34]
    + [2.10, 4.39]
)


@_problem(8, "bard", [1.0, 1.0, 1.0], 8.21487e-3)
def _bard(x):
    u = np.arange(1, 16.0)
    v = 16 - u
    w = np.minimum(u, v)
    D = v * x[1] + w * x[2]
    r, J, T = _zeros(15, 3)
    r[:] = _BARD_Y - (x[0] + u / D)
    J[:] = np.column_stack([-np.ones(15), u * v / D**2, u * w / D**2])
    T[:, 1, 1] = -2 * u * v * v / D**3
    T[:, 1, 2] = T[:, 2, 1] = -2 * u * v * w / D**3
    T[:, 2, 2] = -2 * u * w * w / D**3
    return r, J, T


_GAUSSIAN_Y = np.array([0.0009, 0.0044, 0.0175, 0.0540, 0.1295, 0.2420, 0.3521])
_GAUSSIAN_Y = np.concatenate([_GAUSSIAN_Y, [0.3989], _GAUSSIAN_Y[::-1]])


@_problem(9, "gaussian", [0.4, 1.0, 0.0], 1.12793e-8)
def _gaussian(x):
    a, b, c = x
    s = (8 - np.arange(1, 16.0)) / 2 - c
    E = np.exp(-b * s * s / 2)
    r, J, T = _zeros(15, 3)
    r[:] = a * E - _GAUSSIAN_Y
    J[:] = np.column_stack([E, -a * s * s * E / 2, a * b * s * E])
    T[:, 0, 1] = T[:, 1, 0] = -s * s * E / 2
    T[:, 0, 2] = T[:, 2, 0] = b * s * E
    T[:, 1, 1] = a * s**4 * E / 4
    T[:, 1, 2] = T[:, 2, 1] = a * s * E - a * b * s**3 * E / 2
    T[:, 2, 2] = a * b * E * (b * s * s - 1)
    return r, J, T


_MEYER_Y = np.array(
    [34780, 28610, 23650, 19630, 16370, 13720, 11540, 9744, 8261, 7030, 6005]
    + [5147, 4427, 3820, 3307, 2872],
    dtype=float,
)


@_problem(10, "meyer", [0.02, 4000.0, 250.0], 87.9458)
def _meyer(x):
    a, b, c = x
    q = 1 / (45 + 5 * np.arange(1, 17.0) + c)
    E = np.exp(b * q)
    r, J, T = _zeros(16, 3)
    r[:] = a * E - _MEYER_Y
    J[:] = np.column_stack([E, a * q * E, -a * b * q * q * E])
    T[:, 0, 1] = T[:, 1, 0] = q * E
    T[:, 0, 2] = T[:, 2, 0] = -b * q * q * E
    T[:, 1, 1] = a * q * q * E
    T[:, 1, 2] = T[:, 2, 1] = -a * q * q * E * (1 + b * q)
    T[:, 2, 2] = a * b * q**3 * E * (2 + b * q)
    return r, J, T


# m = 99 rather than 100: t_100 = 1 gives y_100 = 25 = x_2 at the minimizer,
# where |y - x_2|**x_3 has no second derivative in x_3.
_GULF_T = np.arange(1, 100.0) / 100
_GULF_Y = 25 + (-50 * np.log(_GULF_T)) ** (2 / 3)


@_problem(11, "gulf", [5.0, 2.5, 0.15], 0.0)
def _gulf(x):
    a, b, c = x
    u = _GULF_Y - b
    L = np.log(np.abs(u))
    P = np.abs(u) ** c
    # P and its derivatives in (x_2, x_3); d log|u| / dx_2 = -1/u.
    L2, L22 = -1 / u, -1 / u**2
    P2, P3 = P * c * L2, P * L
    P22 = P * (c * L2) ** 2 + P * c * L22
    P23 = P * L2 * (c * L + 1)
    P33 = P * L * L
    # r = exp(z) - t with z = -P / x_1.
    z = -P / a
    dz = np.column_stack([P / a**2, -P2 / a, -P3 / a])
    d2z = np.empty((99, 3, 3))
    d2z[:, 0, 0] = -2 * P / a**3
    d2z[:, 0, 1] = d2z[:, 1, 0] = P2 / a**2
    d2z[:, 0, 2] = d2z[:, 2, 0] = P3 / a**2
    d2z[:, 1, 1] = -P22 / a
    d2z[:, 1, 2] = d2z[:, 2, 1] = -P23 / a
    d2z[:, 2, 2] = -P33 / a
    E = np.exp(z)
    r = E - _GULF_T
    J = E[:, None] * dz
    T = E[:, None, None] * (dz[:, :, None] * dz[:, None, :] + d2z)
    return r, J, T


@_problem(12, "box_3d", [0.0, 10.0, 20.0], 0.0)
def _box_3d(x):
    t = 0.1 * np.arange(1, 11.0)
    ea, eb = np.exp(-t * x[0]), np.exp(-t * x[1])
    c = np.exp(-t) - np.exp(-10 * t)
    r, J, T = _zeros(10, 3)
    r[:] = ea - eb - x[2] * c
    J[:] = np.column_stack([-t * ea, t * eb, -c])
    T[:, 0, 0], T[:, 1, 1] = t * t * ea, -t * t * eb
    return r, J, T


def _powell_singular_block(x):
    a, b, c, d = x
    r, J, T = _zeros(4, 4)
    u, v = np.array([0, 1, -2, 0.0]), np.array([1, 0, 0, -1.0])
    s5, s10 = np.sqrt(5), np.sqrt(10)
    r[:] = a + 10 * b, s5 * (c - d), (b - 2 * c) ** 2, s10 * (a - d) ** 2
    J[0], J[1] = [1, 10, 0, 0], [0, 0, s5, -s5]
    J[2], J[3] = 2 * (b - 2 * c) * u, 2 * s10 * (a - d) * v
    T[2], T[3] = 2 * np.outer(u, u), 2 * s10 * np.outer(v, v)
    return r, J, T


_problem(13, "powell_singular", [3.0, -1.0, 0.0, 1.0], 0.0)(_powell_singular_block)


@_problem(14, "wood", [-3.0, -1.0, -3.0, -1.0], 0.0)
def _wood(x):
    a, b, c, d = x
    s90, s10 = np.sqrt(90), np.sqrt(10)
    r, J, T = _zeros(6, 4)
    r[:] = (
        10 * (b - a * a),
        1 - a,
        s90 * (d - c * c),
        1 - c,
        s10 * (b + d - 2),
        (b - d) / s10,
    )
    J[0], J[1] = [-20 * a, 10, 0, 0], [-1, 0, 0, 0]
    J[2], J[3] = [0, 0, -2 * s90 * c, s90], [0, 0, -1, 0]
    J[4], J[5] = [0, s10, 0, s10], [0, 1 / s10, 0, -1 / s10]
    T[0, 0, 0], T[2, 2, 2] = -20, -2 * s90
    return r, J, T


# 15-20: fixed dimensions, data fits.

_KOWALIK_Y = np.array(
    [0.1957, 0.1947, 0.1735, 0.1600, 0.0844, 0.0627, 0.0456, 0.0342, 0.0323]
    + [0.0235, 0.0246]
)
_KOWALIK_U = np.array([4, 2, 1, 0.5, 0.25, 0.167, 0.125, 0.1, 0.0833, 0.0714, 0.0625])


@_problem(15, "kowalik_osborne", [0.25, 0.39, 0.415, 0.39], 3.07505e-4)
def _kowalik_osborne(x):
    a, b, c, d = x
    u = _KOWALIK_U
    N, D = u * u + u * b, u * u + u * c + d
    # r = y - q with q = a N / D.
    dq = np.column_stack([N / D, a * u / D, -a * N * u / D**2, -a * N / D**2])
    d2q = np.zeros((11, 4, 4))
    d2q[:, 0, 1] = u / D
    d2q[:, 0, 2] = -N * u / D**2
    d2q[:, 0, 3] = -N / D**2
    d2q[:, 1, 2] = -a * u * u / D**2
    d2q[:, 1, 3] = -a * u / D**2
    d2q[:, 2, 3] = 2 * a * N * u / D**3
    d2q += d2q.transpose(0, 2, 1)
    d2q[:, 2, 2] = 2 * a * N * u * u / D**3
    d2q[:, 3, 3] = 2 * a * N / D**3
    return _KOWALIK_Y - a * N / D, -dq, -d2q


@_problem(16, "brown_dennis", [25.0, 5.0, -5.0, -1.0], 85822.2)
def _brown_dennis(x):
    t = np.arange(1, 21.0) / 5
    a = x[0] + t * x[1] - np.exp(t)
    b = x[2] + x[3] * np.sin(t) - np.cos(t)
    one, zero = np.ones(20), np.zeros(20)
    da = np.column_stack([one, t, zero, zero])
    db = np.column_stack([zero, zero, one, np.sin(t)])
    r = a * a + b * b
    J = 2 * (a[:, None] * da + b[:, None] * db)
    T = 2 * (da[:, :, None] * da[:, None, :] + db[:, :, None] * db[:, None, :])
    return r, J, T


_OSBORNE1_Y = np.array(
    [0.844, 0.908, 0.932, 0.936, 0.925, 0.908, 0.881, 0.850, 0.818, 0.784, 0.751]
    + [0.718, 0.685, 0.658, 0.628, 0.603, 0.580, 0.558, 0.538, 0.522, 0.506]
    + [0.490, 0.478, 0.467, 0.457, 0.448, 0.438, 0.431, 0.424, 0.420, 0.414]
    + [0.411, 0.406]
)


@_problem(17, "osborne1", [0.5, 1.5, -1.0, 0.01, 0.02], 5.46489e-5)
def _osborne1(x):
    t = 10 * np.arange(33.0)
    e4, e5 = np.exp(-t * x[3]), np.exp(-t * x[4])
    r, J, T = _zeros(33, 5)
    r[:] = _OSBORNE1_Y - (x[0] + x[1] * e4 + x[2] * e5)
    J[:] = -np.column_stack([np.ones(33), e4, e5, -t * x[1] * e4, -t * x[2] * e5])
    T[:, 1, 3] = T[:, 3, 1] = t * e4
    T[:, 2, 4] = T[:, 4, 2] = t * e5
    T[:, 3, 3] = -t * t * x[1] * e4
    T[:, 4, 4] = -t * t * x[2] * e5
    return r, J, T


@_problem(18, "biggs_exp6", [1.0, 2.0, 1.0, 1.0, 1.0, 1.0], 5.65565e-3)
def _biggs_exp6(x):
    t = 0.1 * np.arange(1, 14.0)
    y = np.exp(-t) - 5 * np.exp(-10 * t) + 3 * np.exp(-4 * t)
    e1, e2, e5 = np.exp(-t * x[0]), np.exp(-t * x[1]), np.exp(-t * x[4])
    r, J, T = _zeros(13, 6)
    r[:] = x[2] * e1 - x[3] * e2 + x[5] * e5 - y
    J[:] = np.column_stack([-t * x[2] * e1, t * x[3] * e2, e1, -e2, -t * x[5] * e5, e5])
    T[:, 0, 0] = t * t * x[2] * e1
    T[:, 1, 1] = -t * t * x[3] * e2
    T[:, 4, 4] = t * t * x[5] * e5
    T[:, 0, 2] = T[:, 2, 0] = -t * e1
    T[:, 1, 3] = T[:, 3, 1] = t * e2
    T[:, 4, 5] = T[:, 5, 4] = -t * e5
    return r, J, T


_OSBORNE2_Y = np.array(
    [1.366, 1.191, 1.112, 1.013, 0.991, 0.885, 0.831, 0.847, 0.786, 0.725]
    + [0.746, 0.679, 0.608, 0.655, 0.616, 0.606, 0.602, 0.626, 0.651, 0.724]
    + [0.649, 0.649, 0.694, 0.644, 0.624, 0.661, 0.612, 0.558, 0.533, 0.495]
    + [0.500, 0.423, 0.395, 0.375, 0.372, 0.391, 0.396, 0.405, 0.428, 0.429]
    + [0.523, 0.562, 0.607, 0.653, 0.672, 0.708, 0.633, 0.668, 0.645, 0.632]
    + [0.591, 0.559, 0.597, 0.625, 0.739, 0.710, 0.729, 0.720, 0.636, 0.581]
    + [0.428, 0.292, 0.162, 0.098, 0.054]
)


@_problem(
    19,
    "osborne2",
    [1.3, 0.65, 0.65, 0.7, 0.6, 3.0, 5.0, 7.0, 2.0, 4.5, 5.5],
    4.01377e-2,
)
def _osborne2(x):
    t = np.arange(65.0) / 10
    # The model q = x_1 exp(-t x_5) + sum_k x_k exp(-(t - x_{k+7})**2 x_{k+4})
    # (k = 2, 3, 4, numbered from 1); r = y - q.
    q, dq, d2q = np.zeros(65), np.zeros((65, 11)), np.zeros((65, 11, 11))
    E = np.exp(-t * x[4])
    q += x[0] * E
    dq[:, 0], dq[:, 4] = E, -t * x[0] * E
    d2q[:, 0, 4] = d2q[:, 4, 0] = -t * E
    d2q[:, 4, 4] = t * t * x[0] * E
    for k in (1, 2, 3):
        a, c = k + 4, k + 7  # the width x_a and the centre x_c of bump k
        s = t - x[c]
        G = np.exp(-s * s * x[a])
        Ga, Gc = -s * s * G, 2 * s * x[a] * G
        q += x[k] * G
        dq[:, k], dq[:, a], dq[:, c] = G, x[k] * Ga, x[k] * Gc
        d2q[:, k, a] = d2q[:, a, k] = Ga
        d2q[:, k, c] = d2q[:, c, k] = Gc
        d2q[:, a, a] = x[k] * s**4 * G
        d2q[:, a, c] = d2q[:, c, a] = x[k] * 2 * s * G * (1 - s * s * x[a])
        d2q[:, c, c] = x[k] * 2 * x[a] * G * (2 * s * s * x[a] - 1)
    return _OSBORNE2_Y - q, -dq, -d2q


def _watson(x):
    n = x.size
    r, J, T = _zeros(31, n)
    t = np.arange(1, 30.0) / 29
    j = np.arange(n)
    # a_j = (j - 1) t**(j - 2) and b_j = t**(j - 1), numbered from 1.
    a = j * t[:, None] ** np.maximum(j - 1, 0)
    b = t[:, None] ** j
    s = b @ x
    r[:29] = a @ x - s * s - 1
    J[:29] = a - 2 * s[:, None] * b
    T[:29] = -2 * b[:, :, None] * b[:, None, :]
    r[29], r[30] = x[0], x[1] - x[0] ** 2 - 1
    J[29, 0], J[30, :2] = 1, [-2 * x[0], 1]
    T[30, 0, 0] = -2
    return r, J, T


_problem(20, "watson_6", np.zeros(6), 2.28767e-3)(_watson)
_problem(20, "watson_9", np.zeros(9), 1.39976e-6)(_watson)


# 21-35: variable dimensions.


def _extended_rosenbrock(x):
    n = x.size
    odd, even = np.arange(0, n, 2), np.arange(1, n, 2)
    r, J, T = _zeros(n, n)
    r[odd] = 10 * (x[even] - x[odd] ** 2)
    r[even] = 1 - x[odd]
    J[odd, odd], J[odd, even], J[even, odd] = -20 * x[odd], 10, -1
    T[odd, odd, odd] = -20
    return r, J, T


_problem(21, "extended_rosenbrock", np.tile([-1.2, 1.0], 5), 0.0)(_extended_rosenbrock)


def _extended_powell(x):
    n = x.size
    r, J, T = _zeros(n, n)
    for k in range(0, n, 4):
        block = slice(k, k + 4)
        r[block], J[block, block], T[block, block, block] = _powell_singular_block(
            x[block]
        )
    return r, J, T


_problem(22, "extended_powell", np.tile([3.0, -1.0, 0.0, 1.0], 2), 0.0)(
    _extended_powell
)


def _penalty1(x):
    n = x.size
    a = np.sqrt(1e-5)
    r, J, T = _zeros(n + 1, n)
    r[:n] = a * (x - 1)
    r[n] = x @ x - 0.25
    J[:n] = a * np.eye(n)
    J[n] = 2 * x
    T[n] = 2 * np.eye(n)
    return r, J, T


_problem(23, "penalty1", np.arange(1, 5.0), 2.24997e-5)(_penalty1)
_problem(23, "penalty1_10", np.arange(1, 11.0), 7.08765e-5)(_penalty1)


def _penalty2(x):
    n = x.size
    a = np.sqrt(1e-5)
    i = np.arange(2, n + 1)
    y = np.exp(i / 10) + np.exp((i - 1) / 10)
    e = np.exp(x / 10)
    r, J, T = _zeros(2 * n, n)
    r[0], J[0, 0] = x[0] - 0.2, 1
    rows = np.arange(1, n)  # r_i for i = 2..n, numbered from 1
    r[rows] = a * (e[1:] + e[:-1] - y)
    J[rows, rows] = a * e[1:] / 10
    J[rows, rows - 1] = a * e[:-1] / 10
    T[rows, rows, rows] = a * e[1:] / 100
    T[rows, rows - 1, rows - 1] = a * e[:-1] / 100
    rows = np.arange(n, 2 * n - 1)  # r_i for i = n+1..2n-1: on x_{i-n+1}
    r[rows] = a * (e[1:] - np.exp(-0.1))
    J[rows, rows - n + 1] = a * e[1:] / 10
    T[rows, rows - n + 1, rows - n + 1] = a * e[1:] / 100
    weights = np.arange(n, 0, -1.0)  # n - j + 1
    r[-1] = weights @ (x * x) - 1
    J[-1] = 2 * weights * x
    T[-1] = np.diag(2 * weights)
    return r, J, T


_problem(24, "penalty2", np.full(4, 0.5), 9.37629e-6)(_penalty2)
_problem(24, "penalty2_10", np.full(10, 0.5), 2.93660e-4)(_penalty2)


def _variably_dimensioned(x):
    n = x.size
    j = np.arange(1, n + 1.0)
    s = j @ (x - 1)
    r, J, T = _zeros(n + 2, n)
    r[:n], r[n], r[n + 1] = x - 1, s, s * s
    J[:n], J[n], J[n + 1] = np.eye(n), j, 2 * s * j
    T[n + 1] = 2 * np.outer(j, j)
    return r, J, T


_problem(25, "variably_dimensioned", 1 - np.arange(1, 11.0) / 10, 0.0)(
    _variably_dimensioned
)


def _trigonometric(x):
    n = x.size
    i = np.arange(1, n + 1.0)
    cos, sin = np.cos(x), np.sin(x)
    r = n - cos.sum() + i * (1 - cos) - sin
    J = np.tile(sin, (n, 1)) + np.diag(i * sin - cos)
    T = np.tile(np.diag(cos), (n, 1, 1))
    T[np.arange(n), np.arange(n), np.arange(n)] += i * cos + sin
    return r, J, T


_problem(26, "trigonometric", np.full(10, 0.1), 0.0)(_trigonometric)


def _brown_almost_linear(x):
    n = x.size
    r, J, T = _zeros(n, n)
    r[:-1] = x[:-1] + x.sum() - (n + 1)
    J[:-1] = 1
    J[np.arange(n - 1), np.arange(n - 1)] = 2
    r[-1] = np.prod(x) - 1
    for j in range(n):
        J[-1, j] = np.prod(np.delete(x, j))
        for k in range(j + 1, n):
            T[-1, j, k] = T[-1, k, j] = np.prod(np.delete(x, [j, k]))
    return r, J, T


_problem(27, "brown_almost_linear", np.full(10, 0.5), 0.0)(_brown_almost_linear)


def _boundary_grid(n):
    h = 1 / (n + 1)
    return h, h * np.arange(1, n + 1)


def _discrete_boundary_value(x):
    n = x.size
    h, t = _boundary_grid(n)
    padded = np.concatenate([[0.0], x, [0.0]])
    c = x + t + 1
    r = 2 * x - padded[:-2] - padded[2:] + h * h * c**3 / 2
    J = np.diag(2 + 1.5 * h * h * c * c) - np.eye(n, k=1) - np.eye(n, k=-1)
    T = np.zeros((n, n, n))
    T[np.arange(n), np.arange(n), np.arange(n)] = 3 * h * h * c
    return r, J, T


def _boundary_start(n):
    _, t = _boundary_grid(n)
    return t * (t - 1)


_problem(28, "discrete_boundary_value", _boundary_start(10), 0.0)(
    _discrete_boundary_value
)


def _discrete_integral_equation(x):
    n = x.size
    h, t = _boundary_grid(n)
    # K_ij = (1 - t_i) t_j for j <= i, t_i (1 - t_j) for j > i.
    K = np.where(
        np.arange(n)[None, :] <= np.arange(n)[:, None],
        np.outer(1 - t, t),
        np.outer(t, 1 - t),
    )
    c = x + t + 1
    r = x + h / 2 * K @ c**3
    J = np.eye(n) + h / 2 * K * 3 * c * c
    T = np.zeros((n, n, n))
    T[:, np.arange(n), np.arange(n)] = h / 2 * K * 6 * c
    return r, J, T


_problem(29, "discrete_integral_equation", _boundary_start(10), 0.0)(
    _discrete_integral_equation
)


def _broyden_tridiagonal(x):
    n = x.size
    padded = np.concatenate([[0.0], x, [0.0]])
    r = (3 - 2 * x) * x - padded[:-2] - 2 * padded[2:] + 1
    J = np.diag(3 - 4 * x) - np.eye(n, k=-1) - 2 * np.eye(n, k=1)
    T = np.zeros((n, n, n))
    T[np.arange(n), np.arange(n), np.arange(n)] = -4
    return r, J, T


_problem(30, "broyden_tridiagonal", np.full(10, -1.0), 0.0)(_broyden_tridiagonal)


def _broyden_banded(x):
    n = x.size
    r, J, T = _zeros(n, n)
    for i in range(n):
        band = [j for j in range(max(0, i - 5), min(n, i + 2)) if j != i]
        r[i] = x[i] * (2 + 5 * x[i] ** 2) + 1 - np.sum(x[band] * (1 + x[band]))
        J[i, i] = 2 + 15 * x[i] ** 2
        J[i, band] = -(1 + 2 * x[band])
        T[i, i, i] = 30 * x[i]
        T[i, band, band] = -2
    return r, J, T


_problem(31, "broyden_banded", np.full(10, -1.0), 0.0)(_broyden_banded)


def _linear(A, b):
    """Residuals ``A x - b``: constant Jacobian, no curvature."""

    def residuals(x):
        m, n = A.shape
        return A @ x - b, A.copy(), np.zeros((m, n, n))

    return residuals


def _full_rank(n, m):
    A = -2 / m * np.ones((m, n))
    A[:n] += np.eye(n)
    return A


def _rank1(n, m):
    return np.outer(np.arange(1, m + 1.0), np.arange(1, n + 1.0))


def _rank1_zero(n, m):
    A = np.outer(np.arange(m, dtype=float), np.arange(1, n + 1.0))  # (i - 1) j
    A[[0, -1]], A[:, [0, -1]] = 0, 0
    return A


_problem(32, "linear_full_rank", np.ones(10), 10.0)(
    _linear(_full_rank(10, 20), np.ones(20))
)
_problem(33, "linear_rank1", np.ones(10), 20 * 19 / (2 * 41))(
    _linear(_rank1(10, 20), np.ones(20))
)
_problem(34, "linear_rank1_zero", np.ones(10), (400 + 60 - 6) / (2 * 37))(
    _linear(_rank1_zero(10, 20), np.ones(20))
)


def _chebyquad(x):
    n = m = x.size
    z = 2 * x - 1
    # Shifted Chebyshev polynomials T_i(2x - 1) and their x-derivatives, by
    # T_{i+1} = 2 z T_i - T_{i-1} differentiated once and twice.
    P, dP, d2P = np.zeros((m + 1, n)), np.zeros((m + 1, n)), np.zeros((m + 1, n))
    P[0], P[1], dP[1] = 1, z, 2
    for i in range(1, m):
        P[i + 1] = 2 * z * P[i] - P[i - 1]
        dP[i + 1] = 4 * P[i] + 2 * z * dP[i] - dP[i - 1]
        d2P[i + 1] = 8 * dP[i] + 2 * z * d2P[i] - d2P[i - 1]
    i = np.arange(1, m + 1)
    y = np.zeros(m)
    y[1::2] = -1 / (i[1::2] ** 2 - 1.0)  # -1 / (i**2 - 1) for even i
    r = P[1:].mean(axis=1) - y
    J = dP[1:] / n
    T = np.zeros((m, n, n))
    T[:, np.arange(n), np.arange(n)] = d2P[1:] / n
    return r, J, T


_problem(35, "chebyquad", np.arange(1, 9.0) / 9, 3.51687e-3)(_chebyquad)
