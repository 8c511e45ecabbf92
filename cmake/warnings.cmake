# One list of warning flags for every target of the project.
set(PMN_WARNINGS -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes
    -Wmissing-prototypes -Wvla -Wno-unused-parameter -Wpointer-arith -Wundef)

function(pmn_apply_flags target)
  target_compile_options(${target} PRIVATE ${PMN_WARNINGS} -fno-omit-frame-pointer)
  target_compile_definitions(${target} PRIVATE _GNU_SOURCE)
  if(PMN_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
