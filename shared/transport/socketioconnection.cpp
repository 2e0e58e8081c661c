#include "socketioconnection.h"
