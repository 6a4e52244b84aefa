package dev.kafru;

/** Whether a schedule fires, with the crate's names. */
public enum ScheduleStatus {
    /** Fires at its next_schedule. */
    Enabled,
    /** Never fires; a one-time schedule becomes Disabled after it fired, and any schedule past its until_schedule. */
    Disabled;

    /** Reads a status as the API receives it, naming the valid ones when it is not one. */
    public static ScheduleStatus parse(String field, String text) {
        for (ScheduleStatus status : values()) {
            if (status.name().equalsIgnoreCase(text)) {
                return status;
            }
        }
        throw new InvalidScheduleException(field, field + " '" + text + "' is not a schedule status; use Enabled or Disabled");
    }
}
