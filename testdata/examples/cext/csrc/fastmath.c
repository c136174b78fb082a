/* A small C extension for pyti-example-cext: integer greatest common divisor. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static long long gcd_ll(long long a, long long b) {
    if (a < 0) a = -a;
    if (b < 0) b = -b;
    while (b != 0) {
        long long t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static PyObject *fastmath_gcd(PyObject *self, PyObject *args) {
    long long a, b;
    if (!PyArg_ParseTuple(args, "LL", &a, &b)) {
        return NULL;
    }
    return PyLong_FromLongLong(gcd_ll(a, b));
}

static PyMethodDef fastmath_methods[] = {
    {"gcd", fastmath_gcd, METH_VARARGS, "Greatest common divisor of two integers."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef fastmath_module = {
    PyModuleDef_HEAD_INIT, "_fastmath", "Small C helpers.", -1, fastmath_methods,
};

PyMODINIT_FUNC PyInit__fastmath(void) {
    return PyModule_Create(&fastmath_module);
}
