#ifndef TWINNING_CBLAS_SHIM_H
#define TWINNING_CBLAS_SHIM_H

#include <cblas.h>
#include <stddef.h>

/* Debian's LAPACK ships no lapacke.h: declare the Fortran routines we call.
   Fortran passes everything by reference; character arguments carry a hidden
   trailing length. */
void dgels_(const char *trans, const int *m, const int *n, const int *nrhs,
            double *a, const int *lda, double *b, const int *ldb,
            double *work, const int *lwork, int *info, size_t trans_len);

#endif
