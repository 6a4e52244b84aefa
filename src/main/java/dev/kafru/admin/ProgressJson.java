package dev.kafru.admin;

import dev.kafru.TaskProgress;
import jakarta.json.bind.serializer.JsonbSerializer;
import jakarta.json.bind.serializer.SerializationContext;
import jakarta.json.stream.JsonGenerator;

/**
 * A task's progress as the admin API shows it: {@code {done, total, note, at, percent}} — the
 * percent too (JSON-B writes a record's components only), so that a client need not divide.
 */
final class ProgressJson implements JsonbSerializer<TaskProgress> {

    @Override
    public void serialize(TaskProgress progress, JsonGenerator json, SerializationContext context) {
        json.writeStartObject();
        json.write("done", progress.done());
        json.write("total", progress.total());
        if (progress.note() == null) {
            json.writeNull("note");
        } else {
            json.write("note", progress.note());
        }
        if (progress.at() == null) {
            json.writeNull("at");
        } else {
            json.write("at", progress.at().toString());
        }
        json.write("percent", progress.percent());
        json.writeEnd();
    }
}
