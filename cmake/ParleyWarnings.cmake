# Every Parley target calls parley_target_defaults(): one place for warnings,
# sanitizers and the definitions that keep Qt strict about string conversions.
if(PARLEY_SANITIZE)
    add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    add_link_options(-fsanitize=address,undefined)
endif()

function(parley_target_defaults target)
    target_compile_options(${target} PRIVATE -Wall -Wextra)
    if(PARLEY_WERROR)
        target_compile_options(${target} PRIVATE -Werror)
    endif()
    target_compile_definitions(${target} PRIVATE
        QT_NO_CAST_FROM_ASCII QT_NO_CAST_TO_ASCII QT_NO_URL_CAST_FROM_STRING
        QT_NO_NARROWING_CONVERSIONS_IN_CONNECT QT_NO_FOREACH)
endfunction()
