#include "socketio.h"
