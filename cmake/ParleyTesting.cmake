# parley_add_test(NAME SOURCES a.cpp ... LIBS lib ... [LABELS l ...] [TIMEOUT s])
# One Qt Test executable per tested class, registered with ctest. Every test runs
# headless (offscreen platform) with its own throwaway XDG folders.

# Qt Test's last lines when something was skipped (QSKIP) and nothing failed: ctest
# then reports the test as skipped, not passed. Anchored at the end of the output, so
# a failure, a crash or a sanitizer report after the totals still reads as a failure.
set(PARLEY_QTEST_SKIPPED
    "Totals: [0-9]+ passed, 0 failed, [1-9][0-9]* skipped[^\n]*\n\\*+ Finished testing of [A-Za-z0-9_]+ \\*+\n*$")
function(parley_add_test name)
    cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
    qt_add_executable(${name} ${ARG_SOURCES})
    parley_target_defaults(${name})
    target_link_libraries(${name} PRIVATE Qt6::Test ${ARG_LIBS})
    target_compile_definitions(${name} PRIVATE
        PARLEY_TEST_DATA_DIR="${PROJECT_SOURCE_DIR}/tests/data")
    add_test(NAME ${name} COMMAND ${name})
    if(NOT ARG_TIMEOUT)
        set(ARG_TIMEOUT 300)
    endif()
    set_tests_properties(${name} PROPERTIES
        TIMEOUT ${ARG_TIMEOUT}
        SKIP_REGULAR_EXPRESSION "${PARLEY_QTEST_SKIPPED}"
        ENVIRONMENT "QT_QPA_PLATFORM=offscreen;QT_LOGGING_RULES=parley.*.debug=false")
    if(ARG_LABELS)
        set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}")
    endif()
endfunction()
