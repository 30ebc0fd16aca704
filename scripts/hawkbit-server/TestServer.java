package org.hawkbitrauc.testserver;

import org.eclipse.hawkbit.autoconfigure.security.EnableHawkbitManagedSecurityConfiguration;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * Entry point of the hawkBit server used by hawkbit-rauc's end-to-end tests: the hawkBit starters do
 * all the work, this class only switches on Spring Boot and hawkBit's managed security.
 */
@SpringBootApplication
@EnableHawkbitManagedSecurityConfiguration
public class TestServer {
    public static void main(final String[] args) {
        SpringApplication.run(TestServer.class, args);
    }
}
