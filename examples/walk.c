/* walk.c - iterate customers with the event table's offsets, the way a model would.
 * Prints one line per customer: id, number of purchase days, total amount. Events are sorted
 * by (customer, day, second), so each customer's rows are one contiguous run. Uses only
 * include/retain.h. Usage: walk FILE
 * SPDX-License-Identifier: MIT */
#include <retain.h>

#include <stdio.h>

/* Print customer 'c': its id, its distinct purchase days and the sum of its amounts. */
static void print_customer(const rt_events *ev, size_t c)
{
    const uint64_t *off = rt_events_offsets(ev);
    const int32_t *day = rt_events_days(ev);
    const double *amount = rt_events_amounts(ev); /* NULL without an amount column */
    const char *id = rt_events_string(ev, RT_FIELD_CUSTOMER, (uint32_t)c, NULL);
    size_t days = 0;
    double total = 0.0;

    for (uint64_t i = off[c]; i < off[c + 1]; i++) {
        if (i == off[c] || day[i] != day[i - 1])
            days++;
        if (amount)
            total += amount[i];
    }
    printf("%s\t%zu\t%.2f\n", id ? id : "?", days, total);
}

int main(int argc, char **argv)
{
    rt_error err = {0};
    rt_events *ev = NULL;

    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE\n", argv[0]);
        return 1;
    }
    if (rt_events_read(argv[1], NULL, &ev, &err) != RT_OK) {
        fprintf(stderr, "walk: %s\n", err.msg);
        return 1;
    }
    printf("customer_id\tpurchase_days\ttotal_amount\n");
    size_t n = rt_events_customers(ev);
    for (size_t c = 0; c < n; c++)
        print_customer(ev, c);
    rt_events_free(ev);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "walk: write error\n");
        return 1;
    }
    return 0;
}
