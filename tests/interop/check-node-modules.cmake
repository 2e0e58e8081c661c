# cmake -DDIR=<tests/interop> -P check-node-modules.cmake
if(NOT EXISTS "${DIR}/node_modules/socket.io-client/package.json")
    message(FATAL_ERROR "tests/interop/node_modules is missing: run npm ci in tests/interop")
endif()
