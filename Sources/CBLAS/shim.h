#ifndef TWINNING_CBLAS_SHIM_H
#define TWINNING_CBLAS_SHIM_H

#include <cblas.h>
#include <stddef.h>

/* The CBLAS types only: the libraries are opened at run time (dlopen), not
   linked, so that OpenBLAS's settings can be made before it loads; LinearAlgebra's
   BLAS.swift gives each routine it calls its C type. */

#endif
