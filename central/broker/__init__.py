"""What the MQTT broker needs to enforce the contract: password hashes in Mosquitto's format, the ACL by
which a device may publish only under its own topics, and the configuration that ties them together."""
