# cairn_module(NAME SOURCES ... DEPS <modules> LIBS <external targets>)
#
# Declares one module of DESIGN.md as a static library. The layering is
# enforced by the include path: each module sees a private include tree
# (build/include/<module>/) holding links to itself and to the modules it
# depends on, directly or transitively, and nothing else. An include of a
# module above it therefore fails to compile instead of silently working.
function(cairn_include_tree out_dir name)
  set(tree ${CMAKE_BINARY_DIR}/include/${name})
  file(MAKE_DIRECTORY ${tree})
  get_property(visible GLOBAL PROPERTY CAIRN_VISIBLE_${name})
  foreach(m ${visible})
    if(NOT EXISTS ${tree}/${m})
      file(CREATE_LINK ${CMAKE_SOURCE_DIR}/${m} ${tree}/${m} SYMBOLIC)
    endif()
  endforeach()
  set(${out_dir} ${tree} PARENT_SCOPE)
endfunction()

function(cairn_module name)
  cmake_parse_arguments(M "" "" "SOURCES;DEPS;LIBS" ${ARGN})
  set(visible ${name})
  foreach(d ${M_DEPS})
    get_property(dv GLOBAL PROPERTY CAIRN_VISIBLE_${d})
    list(APPEND visible ${dv})
  endforeach()
  list(REMOVE_DUPLICATES visible)
  set_property(GLOBAL PROPERTY CAIRN_VISIBLE_${name} ${visible})
  cairn_include_tree(tree ${name})

  add_library(cairn_${name} STATIC ${M_SOURCES})
  target_include_directories(cairn_${name} PRIVATE ${tree})
  foreach(d ${M_DEPS})
    target_link_libraries(cairn_${name} PUBLIC cairn_${d})
  endforeach()
  target_link_libraries(cairn_${name} PUBLIC ${M_LIBS})
endfunction()

# cairn_executable(TARGET MODULE <module whose view it has> SOURCES ... LIBS ...)
function(cairn_executable target)
  cmake_parse_arguments(E "" "MODULE" "SOURCES;LIBS" ${ARGN})
  get_property(visible GLOBAL PROPERTY CAIRN_VISIBLE_${E_MODULE})
  set(tree ${CMAKE_BINARY_DIR}/include/${E_MODULE})
  add_executable(${target} ${E_SOURCES})
  target_include_directories(${target} PRIVATE ${tree})
  target_link_libraries(${target} PRIVATE cairn_${E_MODULE} ${E_LIBS})
endfunction()

# cairn_server_executable(TARGET ...): as cairn_executable, for a long-running
# server process, linked with tcmalloc. RocksDB, gRPC and protobuf allocate
# on every write and every message; with many concurrent clients glibc's
# malloc was a fifth of a Raft leader's CPU, and tcmalloc's per-thread
# caches took 12-18% off the time of each replicated proposal
# (bench/RESULTS.md, issue #3).
function(cairn_server_executable target)
  cairn_executable(${target} ${ARGN})
  if(CAIRN_TCMALLOC)
    target_link_libraries(${target} PRIVATE ${CAIRN_TCMALLOC})
  endif()
endfunction()

# cairn_test(NAME MODULE <module> SOURCES ... [LABELS ...] [LIBS ...])
function(cairn_test target)
  cmake_parse_arguments(T "" "MODULE;TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  cairn_executable(${target} MODULE ${T_MODULE} SOURCES ${T_SOURCES}
                   LIBS GTest::gtest GTest::gmock GTest::gtest_main ${T_LIBS})
  add_test(NAME ${target} COMMAND ${target})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  set_tests_properties(${target} PROPERTIES TIMEOUT ${T_TIMEOUT}
                       ENVIRONMENT "CAIRN_BINARY=${CMAKE_BINARY_DIR}/cairn")
  if(T_LABELS)
    set_tests_properties(${target} PROPERTIES LABELS "${T_LABELS}")
  endif()
endfunction()
