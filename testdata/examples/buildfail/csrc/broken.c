/* This file does not compile, on purpose: pyti-example-buildfail exercises build failures. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *broken_answer(PyObject *self, PyObject *args) {
    int answer = 42
    return PyLong_FromLong(answer + undeclared_variable);
}

static PyMethodDef broken_methods[] = {
    {"answer", broken_answer, METH_NOARGS, "The answer."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef broken_module = {
    PyModuleDef_HEAD_INIT, "_broken", NULL, -1, broken_methods,
};

PyMODINIT_FUNC PyInit__broken(void) {
    return PyModule_Create(&broken_module);
}
