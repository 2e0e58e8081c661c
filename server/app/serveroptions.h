#pragma once
// Placeholder: parley-server's command line (QCommandLineParser) into a ServerConfig.
