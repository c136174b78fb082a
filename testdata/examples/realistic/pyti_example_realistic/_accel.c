#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *is_prime(PyObject *self, PyObject *args) {
    long n;
    if (!PyArg_ParseTuple(args, "l", &n))
        return NULL;
    if (n < 2)
        Py_RETURN_FALSE;
    for (long k = 2; k * k <= n; k++)
        if (n % k == 0)
            Py_RETURN_FALSE;
    Py_RETURN_TRUE;
}

static PyObject *sum_ints(PyObject *self, PyObject *args) {
    PyObject *list;
    if (!PyArg_ParseTuple(args, "O!", &PyList_Type, &list))
        return NULL;
    long long total = 0;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(list); i++) {
        long v = PyLong_AsLong(PyList_GET_ITEM(list, i));
        if (v == -1 && PyErr_Occurred())
            return NULL;
        total += v;
    }
    return PyLong_FromLongLong(total);
}

static PyMethodDef methods[] = {
    {"is_prime", is_prime, METH_VARARGS, "Whether n is prime."},
    {"sum_ints", sum_ints, METH_VARARGS, "The sum of a list of integers."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_accel", NULL, -1, methods};

PyMODINIT_FUNC PyInit__accel(void) { return PyModule_Create(&module); }
