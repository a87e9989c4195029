"""The MQTT link: topic names, message models (the contract), and the client."""
