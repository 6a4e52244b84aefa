package dev.kafru;

/**
 * Which schedules {@link KafruSchedules#list} returns; every field but the limit is optional
 * (null: no filter), all given ones must match. Built with {@link #builder()}:
 *
 * <pre>{@code
 * schedules.list(ScheduleFilter.builder().queue("mail").upcoming(true).limit(50).build());
 * }</pre>
 *
 * A top-level type rather than one nested in {@link KafruSchedules}, so that the store can take
 * it without depending on the service that calls the store.
 *
 * @param upcoming true: only schedules that will fire (Enabled, with a next time), soonest first;
 *                 false: only those that will not
 * @param limit    1 to {@link #MAX_LIMIT}; checked by {@link KafruSchedules#list}
 */
public record ScheduleFilter(ScheduleStatus status, String queue, String handler, String name, Boolean oneTime,
                             Boolean upcoming, int limit) {

    public static final int MAX_LIMIT = 1000;
    public static final int DEFAULT_LIMIT = 100;

    /** Every schedule, up to {@value #DEFAULT_LIMIT}. */
    public static ScheduleFilter all() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Collects the fields one by one; nothing is checked before {@link KafruSchedules#list}. */
    public static final class Builder {

        private ScheduleStatus status;
        private String queue;
        private String handler;
        private String name;
        private Boolean oneTime;
        private Boolean upcoming;
        private int limit = DEFAULT_LIMIT;

        private Builder() {
        }

        public Builder status(ScheduleStatus status) {
            this.status = status;
            return this;
        }

        public Builder queue(String queue) {
            this.queue = queue;
            return this;
        }

        public Builder handler(String handler) {
            this.handler = handler;
            return this;
        }

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        public Builder oneTime(Boolean oneTime) {
            this.oneTime = oneTime;
            return this;
        }

        /** true: only schedules that will fire, soonest first; false: only those that will not. */
        public Builder upcoming(Boolean upcoming) {
            this.upcoming = upcoming;
            return this;
        }

        /** 1 to {@value ScheduleFilter#MAX_LIMIT}; default {@value ScheduleFilter#DEFAULT_LIMIT}. */
        public Builder limit(int limit) {
            this.limit = limit;
            return this;
        }

        public ScheduleFilter build() {
            return new ScheduleFilter(status, queue, handler, name, oneTime, upcoming, limit);
        }
    }
}
