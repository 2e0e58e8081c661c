#include "serveroptions.h"
