#include "websocketchannel.h"
