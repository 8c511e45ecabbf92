# PMN_SANITIZE=address;undefined adds the sanitizer flags to every target.
if(PMN_SANITIZE)
  string(REPLACE ";" "," _pmn_san "${PMN_SANITIZE}")
  add_compile_options(-fsanitize=${_pmn_san} -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${_pmn_san})
endif()
