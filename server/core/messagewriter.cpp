#include "messagewriter.h"
