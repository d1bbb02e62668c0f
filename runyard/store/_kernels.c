/* The metric engine's two innermost loops, compiled: decoding the chunk values of a group of series
 * into one array, and the per-bucket statistics over it. runyard/store/kernels.py holds their numpy
 * equivalents (used when this module was not built) and says what each computes; the tests check
 * both against a brute-force oracle. Buffers only (no numpy C API), and the GIL is released while
 * looping, so concurrent chart queries run side by side. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

/* Values first .. end - 1 of the `len` bytes at s into o: whole blocks of 8 * block bytes, each 8
 * planes of `block` bytes (plane p: byte p of each value), then a tail of plain little-endian values
 * (a byte past the last whole value, the layout's mark, is ignored). */
static void planes(const uint8_t *s, Py_ssize_t len, Py_ssize_t block, Py_ssize_t first, Py_ssize_t end,
                   uint8_t *o) {
    Py_ssize_t whole = len / (8 * block) * block, i = first;
    while (i < end && i < whole) {
        Py_ssize_t b = i / block, j1 = (end - b * block < block) ? end - b * block : block;
        const uint8_t *p = s + b * 8 * block;
        for (Py_ssize_t j = i - b * block; j < j1; j++, o += 8) {
            uint64_t x = (uint64_t)p[j] | (uint64_t)p[block + j] << 8 | (uint64_t)p[2 * block + j] << 16 |
                         (uint64_t)p[3 * block + j] << 24 | (uint64_t)p[4 * block + j] << 32 |
                         (uint64_t)p[5 * block + j] << 40 | (uint64_t)p[6 * block + j] << 48 |
                         (uint64_t)p[7 * block + j] << 56;
            memcpy(o, &x, 8); /* out may be unaligned */
        }
        i = b * block + j1;
    }
    if (i < end) memcpy(o, s + i * 8, (size_t)(end - i) * 8);
}

/* gather(sources, out, block): for each source (buffer, planar, first, count) in turn, its values
 * first .. first + count - 1 written to out one after another: float64 as they are, or byte planes
 * in blocks of `block` values (`planes`). Returns how many values were written. */
static PyObject *gather(PyObject *self, PyObject *args) {
    PyObject *seq;
    Py_buffer out;
    Py_ssize_t block;
    if (!PyArg_ParseTuple(args, "Ow*n", &seq, &out, &block)) return NULL;
    PyObject *ret = NULL, *fast = PySequence_Fast(seq, "gather: sources must be a sequence");
    Py_ssize_t n = fast ? PySequence_Fast_GET_SIZE(fast) : 0, parsed = 0, total = 0;
    Py_buffer *src = fast ? PyMem_Calloc(n ? n : 1, sizeof(Py_buffer)) : NULL;
    int *planar = src ? PyMem_Calloc(n ? n : 1, sizeof(int)) : NULL;
    Py_ssize_t *first = planar ? PyMem_Calloc(n ? n : 1, sizeof(Py_ssize_t)) : NULL;
    Py_ssize_t *count = first ? PyMem_Calloc(n ? n : 1, sizeof(Py_ssize_t)) : NULL;
    if (!count) {
        if (fast) PyErr_NoMemory();
        goto done;
    }
    if (block <= 0) {
        PyErr_SetString(PyExc_ValueError, "gather: block must be positive");
        goto done;
    }
    for (; parsed < n; parsed++) {
        PyObject *item = PySequence_Fast_GET_ITEM(fast, parsed);
        if (!PyArg_ParseTuple(item, "y*pnn", &src[parsed], &planar[parsed], &first[parsed], &count[parsed]))
            goto done;
        Py_ssize_t f = first[parsed], k = count[parsed];
        if (f < 0 || k < 0 || f + k > src[parsed].len / 8 || total + k > out.len / 8) {
            PyBuffer_Release(&src[parsed]);
            PyErr_SetString(PyExc_ValueError, "gather: values outside a source or past the output");
            goto done;
        }
        total += k;
    }
    uint8_t *o = out.buf;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < n; i++) {
        const uint8_t *s = src[i].buf;
        if (planar[i])
            planes(s, src[i].len, block, first[i], first[i] + count[i], o);
        else
            memcpy(o, s + first[i] * 8, (size_t)count[i] * 8);
        o += count[i] * 8;
    }
    Py_END_ALLOW_THREADS
    ret = PyLong_FromSsize_t(total);
done:
    for (Py_ssize_t i = 0; i < parsed; i++) PyBuffer_Release(&src[i]);
    PyMem_Free(src);
    PyMem_Free(planar);
    PyMem_Free(first);
    PyMem_Free(count);
    Py_XDECREF(fast);
    PyBuffer_Release(&out);
    return ret;
}

/* segments(v, starts, ends, lower, upper, total, count, last): for each row r, the values
 * v[starts[r]:ends[r]] without NaN: their minimum, maximum, sum and number, and the row's last value;
 * minimum and maximum are NaN where a row holds only NaN. v: float64; starts, ends, count: int64; the
 * rest float64, one per row. Returns whether any value was NaN. Four independent accumulators per
 * statistic: buckets hold ~10 values, and one chain of dependent additions would be the loop's
 * pace (the sum's order differs from numpy's pairwise one, within rounding). */
#define SEG_STEP(k)                          \
    {                                        \
        double x = p[j + k];                 \
        int ok = x == x;                     \
        a##k = x < a##k ? x : a##k;          \
        b##k = x > b##k ? x : b##k;          \
        t##k += ok ? x : 0.0;                \
        c##k += ok;                          \
    }
static PyObject *segments(PyObject *self, PyObject *args) {
    Py_buffer v, st, en, lo, hi, sm, ct, ls;
    if (!PyArg_ParseTuple(args, "y*y*y*w*w*w*w*w*", &v, &st, &en, &lo, &hi, &sm, &ct, &ls)) return NULL;
    PyObject *ret = NULL;
    Py_ssize_t n = st.len / 8, nv = v.len / 8;
    if (en.len != st.len || lo.len != st.len || hi.len != st.len || sm.len != st.len || ct.len != st.len ||
        ls.len != st.len) {
        PyErr_SetString(PyExc_ValueError, "segments: one start, end and result per row");
        goto done;
    }
    const double *V = v.buf;
    const int64_t *S = st.buf, *E = en.buf;
    for (Py_ssize_t r = 0; r < n; r++) {
        if (S[r] < 0 || S[r] >= E[r] || E[r] > nv) {
            PyErr_SetString(PyExc_ValueError, "segments: an empty row or one outside the values");
            goto done;
        }
    }
    double *L = lo.buf, *H = hi.buf, *T = sm.buf, *Z = ls.buf;
    int64_t *C = ct.buf;
    int64_t nan = 0;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t r = 0; r < n; r++) {
        const double *p = V + S[r];
        int64_t m = E[r] - S[r], j = 0, c0 = 0, c1 = 0, c2 = 0, c3 = 0;
        double a0 = Py_HUGE_VAL, a1 = Py_HUGE_VAL, a2 = Py_HUGE_VAL, a3 = Py_HUGE_VAL;
        double b0 = -Py_HUGE_VAL, b1 = -Py_HUGE_VAL, b2 = -Py_HUGE_VAL, b3 = -Py_HUGE_VAL;
        double t0 = 0.0, t1 = 0.0, t2 = 0.0, t3 = 0.0;
        for (; j + 4 <= m; j += 4) {
            SEG_STEP(0) SEG_STEP(1) SEG_STEP(2) SEG_STEP(3)
        }
        for (; j < m; j++) SEG_STEP(0)
        int64_t c = c0 + c1 + c2 + c3;
        a0 = a0 < a1 ? a0 : a1;
        a2 = a2 < a3 ? a2 : a3;
        b0 = b0 > b1 ? b0 : b1;
        b2 = b2 > b3 ? b2 : b3;
        L[r] = c ? (a0 < a2 ? a0 : a2) : Py_NAN;
        H[r] = c ? (b0 > b2 ? b0 : b2) : Py_NAN;
        T[r] = (t0 + t1) + (t2 + t3);
        C[r] = c;
        Z[r] = p[m - 1];
        nan |= m - c;
    }
    Py_END_ALLOW_THREADS
    ret = PyBool_FromLong(nan != 0);
done:
    PyBuffer_Release(&v);
    PyBuffer_Release(&st);
    PyBuffer_Release(&en);
    PyBuffer_Release(&lo);
    PyBuffer_Release(&hi);
    PyBuffer_Release(&sm);
    PyBuffer_Release(&ct);
    PyBuffer_Release(&ls);
    return ret;
}

static PyMethodDef methods[] = {
    {"gather", gather, METH_VARARGS, "Values of several sources, as they are or byte planes, one after another."},
    {"segments", segments, METH_VARARGS, "Minimum, maximum, sum, count (without NaN) and last value of each row."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_kernels", NULL, -1, methods};

PyMODINIT_FUNC PyInit__kernels(void) { return PyModule_Create(&module); }
