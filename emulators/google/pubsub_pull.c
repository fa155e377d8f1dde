/* pubsub_pull.c - Pub/Sub pull mode for subscriptions without a push
 * endpoint (google.md 6.4): published messages wait in the subscription's
 * queue; :pull hands out up to maxMessages of those not leased, each with a
 * fresh ackId and a lease of ackDeadlineSeconds, after which an unacked
 * message is handed out again with deliveryAttempt + 1; :acknowledge drops
 * messages by ackId. */
#include "google/internal.h"

#include <string.h>

#include "frame/frame.h"
#include "frame/ids.h"
#include "util/clock.h"
#include "util/json.h"

#define MAX_PULL 1000

void gemu_pull_enqueue(struct gemu_state *st, const char *name, const json_t *message)
{
    json_t *queue = json_object_get(st->pull_queues, name);
    if (!queue) {
        queue = json_array();
        json_object_set_new(st->pull_queues, name, queue);
    }
    json_array_append_new(queue, json_pack("{s:s, s:O, s:i, s:I}", "ackId", "", "message",
                                           message, "deliveryAttempt", 0, "due_ms",
                                           (json_int_t)0));
}

void gemu_pull(struct http_req *req, struct gemu_state *st, const char *name, const json_t *sub,
               const json_t *body)
{
    json_t *queue = json_object_get(st->pull_queues, name);
    json_t *received = json_array(), *item;
    long long max = json_get_int(body, "maxMessages", 0);
    long long lease_ms = json_get_int(sub, "ackDeadlineSeconds", 10) * 1000;
    long long now = clock_now_ms();
    size_t i;

    if (max <= 0 || max > MAX_PULL) {
        json_decref(received);
        gemu_reply_bad_field(req, "max_messages", "maxMessages must be from 1 to 1000.");
        return;
    }
    json_array_foreach(queue, i, item) {
        if ((long long)json_array_size(received) >= max)
            break;
        if (json_integer_value(json_object_get(item, "due_ms")) > now)
            continue;
        char ack_id[33];
        emu_ids_hex_random(ack_id, 16);
        long long attempt = json_integer_value(json_object_get(item, "deliveryAttempt")) + 1;
        json_object_set_new(item, "ackId", json_string(ack_id));
        json_object_set_new(item, "deliveryAttempt", json_integer(attempt));
        json_object_set_new(item, "due_ms", json_integer(now + lease_ms));
        json_array_append_new(received, json_pack("{s:s, s:O, s:I}", "ackId", ack_id, "message",
                                                  json_object_get(item, "message"),
                                                  "deliveryAttempt", (json_int_t)attempt));
    }
    json_t *resp = json_object();
    if (json_array_size(received))
        json_object_set(resp, "receivedMessages", received);
    json_decref(received);
    emu_reply_json(req, 200, resp);
}

void gemu_pull_acknowledge(struct http_req *req, struct gemu_state *st, const char *name,
                           const json_t *body)
{
    json_t *queue = json_object_get(st->pull_queues, name);
    const json_t *ids = json_object_get(body, "ackIds");
    size_t i;
    json_t *id;

    json_array_foreach(ids, i, id) {
        for (size_t j = 0; j < json_array_size(queue); j++) {
            const char *own = json_get_str(json_array_get(queue, j), "ackId");
            if (json_is_string(id) && *own && strcmp(own, json_string_value(id)) == 0) {
                json_array_remove(queue, j);
                break;
            }
        }
    }
    emu_reply_json(req, 200, json_object());
}
