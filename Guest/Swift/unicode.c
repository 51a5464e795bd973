/*
 * The Unicode data lookups of Swift's String (grapheme breaking, normalisation, case mapping, scalar properties),
 * as stops. The toolchain's libswiftUnicodeDataTables.a for riscv32 is compiled with compressed instructions,
 * which RV32IM guests cannot run, so it is not linked. String keeps ASCII (and most text below U+0300) on fast
 * paths that never call these; an operation that does need the tables names itself in the log and stops with an
 * illegal instruction rather than compute a wrong answer.
 */
#include "zkvm.h"

__attribute__((noreturn, noinline)) static void unicode_unavailable(const char *name) {
    zkvm_log_str("zkvm guest: ");
    zkvm_log_str(name);
    zkvm_log_str(": this String operation needs Unicode data tables, which Swift guests do not have; "
                 "keep to ASCII text or work on the utf8 view\n");
    __builtin_trap();
}

#define UNAVAILABLE(name) \
    void name(void) { unicode_unavailable(#name); }

UNAVAILABLE(_swift_stdlib_getAge)
UNAVAILABLE(_swift_stdlib_getBinaryProperties)
UNAVAILABLE(_swift_stdlib_getCaseMapping)
UNAVAILABLE(_swift_stdlib_getComposition)
UNAVAILABLE(_swift_stdlib_getDecompositionEntry)
UNAVAILABLE(_swift_stdlib_getGeneralCategory)
UNAVAILABLE(_swift_stdlib_getGraphemeBreakProperty)
UNAVAILABLE(_swift_stdlib_getMapping)
UNAVAILABLE(_swift_stdlib_getMphIdx)
UNAVAILABLE(_swift_stdlib_getNameAlias)
UNAVAILABLE(_swift_stdlib_getNormData)
UNAVAILABLE(_swift_stdlib_getNumericType)
UNAVAILABLE(_swift_stdlib_getNumericValue)
UNAVAILABLE(_swift_stdlib_getScalarBitArrayIdx)
UNAVAILABLE(_swift_stdlib_getScalarName)
UNAVAILABLE(_swift_stdlib_getScript)
UNAVAILABLE(_swift_stdlib_getScriptExtensions)
UNAVAILABLE(_swift_stdlib_getSpecialMapping)
UNAVAILABLE(_swift_stdlib_getWordBreakProperty)
UNAVAILABLE(_swift_stdlib_isExtendedPictographic)
UNAVAILABLE(_swift_stdlib_isInCB_Consonant)

/* A table that String indexes only with what _swift_stdlib_getDecompositionEntry returned, which never returns. */
const uint8_t _swift_stdlib_nfd_decompositions[1];
