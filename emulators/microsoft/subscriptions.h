/* subscriptions.h - subscription expiry and the /_emu view (the routes are
 * registered through ms_subscriptions_routes in ms.h). */
#ifndef EMU_MICROSOFT_SUBSCRIPTIONS_H
#define EMU_MICROSOFT_SUBSCRIPTIONS_H

#include "microsoft/ms.h"

/* Remove expired subscriptions and send due lifecycle events (takes the lock). */
void ms_subscriptions_tick(struct ms *ms);
/* {"subscriptions":[...]}: every app's; new reference (takes the lock). */
json_t *ms_subscriptions_view(struct ms *ms);

#endif
