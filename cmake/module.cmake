# mk_module(NAME [DEPS mod...] [LIBS lib...]): a static library target mk_NAME from
# src/NAME/*.c (and its backend subfolders). DEPS are other mekong modules, LIBS
# external libraries; nothing else is linked, so an undeclared dependency fails to link.
function(mk_module name)
  cmake_parse_arguments(M "" "" "DEPS;LIBS" ${ARGN})
  file(GLOB_RECURSE srcs CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/${name}/*.c)
  set(deps)
  foreach(d ${M_DEPS})
    list(APPEND deps mk_${d})
  endforeach()
  if(srcs)
    add_library(mk_${name} STATIC ${srcs})
    target_include_directories(mk_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(mk_${name} PUBLIC ${deps} ${M_LIBS})
  else()
    # a module whose header exists before its code: nothing to compile yet
    add_library(mk_${name} INTERFACE)
    target_include_directories(mk_${name} INTERFACE ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(mk_${name} INTERFACE ${deps} ${M_LIBS})
  endif()
  set_property(GLOBAL APPEND PROPERTY MK_MODULES mk_${name})
endfunction()
