package dev.kafru.it;

import dev.kafru.Recurring;
import dev.kafru.TaskContext;
import dev.kafru.TaskHandler;
import dev.kafru.TaskName;
import jakarta.enterprise.context.ApplicationScoped;

/** A @Recurring whose cron cannot parse (minute 61): its deployment must fail, naming it. */
@TaskName("it-bad-cron")
@Recurring(cron = "0 61 * * * ?")
@ApplicationScoped
public class BadCronTask implements TaskHandler {

    @Override
    public void run(TaskContext context) {
    }
}
